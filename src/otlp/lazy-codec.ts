/**
 * The OTLP codec (protobufjs and the OTLP schema), loaded on first use: the first request to
 * the local receiver pays for it, an extension whose function sends nothing never does.
 */
export type OtlpCodec = typeof import('./codec.ts');

let loading: Promise<OtlpCodec> | null = null;
let loaded: OtlpCodec | null = null;

export function loadCodec(): Promise<OtlpCodec> {
  loading ??= import('./codec.ts').then((codec) => (loaded = codec));
  return loading;
}

/** The codec once {@link loadCodec} resolved; callers reached only after a decoded request rely on it. */
export function loadedCodec(): OtlpCodec {
  if (loaded === null) throw new Error('the OTLP codec is used before it was loaded');
  return loaded;
}
