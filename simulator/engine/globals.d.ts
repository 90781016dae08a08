/**
 * structuredClone is part of every runtime the simulator targets (browsers, Node ≥ 17, workers)
 * but belongs to the DOM and Node type libraries, which the core deliberately leaves out.
 */
declare function structuredClone<T>(value: T): T;

/**
 * TextEncoder and TextDecoder, likewise present in every target runtime but typed only by the DOM
 * and Node libraries; declared here with just the members the core uses.
 */
declare class TextEncoder {
  encode(input?: string): Uint8Array<ArrayBuffer>;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean });
  decode(input?: Uint8Array): string;
}

/**
 * The Compression Streams API (browsers, Node ≥ 18, workers), for permalinks; declared with just
 * the members the core uses.
 */
declare class CompressionStream {
  constructor(format: 'deflate-raw' | 'deflate' | 'gzip');
  readonly readable: { getReader(): ByteStreamReader };
  readonly writable: { getWriter(): ByteStreamWriter };
}
declare class DecompressionStream {
  constructor(format: 'deflate-raw' | 'deflate' | 'gzip');
  readonly readable: { getReader(): ByteStreamReader };
  readonly writable: { getWriter(): ByteStreamWriter };
}
interface ByteStreamReader {
  read(): Promise<{ done: boolean; value?: Uint8Array<ArrayBuffer> | undefined }>;
  cancel(): Promise<void>;
}
interface ByteStreamWriter {
  write(chunk: Uint8Array<ArrayBuffer>): Promise<void>;
  close(): Promise<void>;
}
