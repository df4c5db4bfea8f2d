import { InvariantError } from "../../core/errors.js";
import { parseClientHello, type ClientHello } from "./client-hello.js";
import { ProtocolError } from "./protocol-error.js";

/** Largest payload either side may frame; IB's clients give up on anything longer (ibkr-facts.md §1.1). */
export const MAX_MESSAGE_LENGTH = 0xffffff;

/** The four bytes a v100+ client sends first: ASCII `API` and a NUL (ibkr-facts.md §1.2). */
export const HELLO_PREFIX = Buffer.from("API\0", "latin1");

/** One unit decoded from the byte stream. */
export type Frame =
  | { readonly kind: "hello"; readonly hello: ClientHello }
  | { readonly kind: "message"; readonly fields: readonly string[] }
  /** A frame with a valid length whose payload is not NUL-terminated fields; the stream stays in sync. */
  | { readonly kind: "invalid"; readonly reason: string; readonly fields: readonly string[] };

/** Options of a FrameReader. */
export interface FrameReaderOptions {
  /** Whether the stream starts with the client hello (true on the server side, the default). */
  readonly expectHello?: boolean;
}

const LENGTH_BYTES = 4;
const NUL = 0;
const EMPTY = Buffer.alloc(0);

/**
 * Incremental decoder of one direction of a TWS API connection: the optional client hello, then
 * 4-byte big-endian length-prefixed messages of NUL-terminated latin1 fields, from chunks split anywhere.
 */
export class FrameReader {
  private readonly chunks: Buffer[] = [];
  private buffered = 0;
  private awaitingHello: boolean;
  private failure: ProtocolError | undefined;

  constructor(options: FrameReaderOptions = {}) {
    this.awaitingHello = options.expectHello ?? true;
  }

  /**
   * Adds received bytes and returns every frame they complete, in order. Throws a ProtocolError when the
   * stream cannot be resynchronised (malformed hello, length above MAX_MESSAGE_LENGTH); once it has thrown,
   * every later call throws the same error.
   */
  push(chunk: Uint8Array): Frame[] {
    if (this.failure !== undefined) throw this.failure;
    if (chunk.length > 0) {
      // Copied: the caller may reuse its buffer after this call returns.
      this.chunks.push(Buffer.from(chunk));
      this.buffered += chunk.length;
    }
    const frames: Frame[] = [];
    try {
      for (let frame = this.nextFrame(); frame !== undefined; frame = this.nextFrame()) frames.push(frame);
    } catch (error: unknown) {
      if (error instanceof ProtocolError) this.failure = error;
      throw error;
    }
    return frames;
  }

  /** Number of received bytes not yet part of a complete frame. */
  get pendingBytes(): number {
    return this.buffered;
  }

  private nextFrame(): Frame | undefined {
    return this.awaitingHello ? this.nextHello() : this.nextMessage();
  }

  private nextHello(): Frame | undefined {
    const prefixBytes = Math.min(this.buffered, HELLO_PREFIX.length);
    const prefix = this.peek(prefixBytes);
    if (!prefix.equals(HELLO_PREFIX.subarray(0, prefixBytes))) {
      throw new ProtocolError(
        "malformed-hello",
        `stream does not start with the API hello (got ${JSON.stringify(prefix.toString("latin1"))})`,
      );
    }
    const headerBytes = HELLO_PREFIX.length + LENGTH_BYTES;
    if (this.buffered < headerBytes) return undefined;
    const length = this.readLength(HELLO_PREFIX.length);
    if (this.buffered < headerBytes + length) return undefined;
    const text = this.take(headerBytes + length).toString("latin1", headerBytes);
    this.awaitingHello = false;
    return { kind: "hello", hello: parseClientHello(text) };
  }

  private nextMessage(): Frame | undefined {
    if (this.buffered < LENGTH_BYTES) return undefined;
    const length = this.readLength(0);
    if (this.buffered < LENGTH_BYTES + length) return undefined;
    const payload = this.take(LENGTH_BYTES + length).subarray(LENGTH_BYTES);
    if (payload.length === 0) return { kind: "invalid", reason: "empty message", fields: [] };
    if (payload[payload.length - 1] !== NUL) {
      return {
        kind: "invalid",
        reason: "payload does not end with NUL",
        fields: payload.toString("latin1").split("\0"),
      };
    }
    return { kind: "message", fields: payload.toString("latin1", 0, payload.length - 1).split("\0") };
  }

  /** Reads the big-endian length at `offset` and rejects one the protocol forbids. */
  private readLength(offset: number): number {
    const length = this.peek(offset + LENGTH_BYTES).readUInt32BE(offset);
    if (length > MAX_MESSAGE_LENGTH) {
      throw new ProtocolError(
        "frame-too-long",
        `frame length ${length} exceeds the maximum ${MAX_MESSAGE_LENGTH}`,
      );
    }
    return length;
  }

  /** The first `count` buffered bytes (count ≤ buffered), merging chunks only as far as needed. */
  private peek(count: number): Buffer {
    if (count === 0) return EMPTY;
    const first = this.chunks[0];
    if (first !== undefined && first.length >= count) return first.subarray(0, count);
    if (count > this.buffered) {
      throw new InvariantError(`cannot peek ${count} bytes with only ${this.buffered} buffered`);
    }
    let merged = 0;
    let chunkCount = 0;
    while (merged < count) merged += this.chunks[chunkCount++]?.length ?? 0;
    const head = Buffer.concat(this.chunks.splice(0, chunkCount));
    this.chunks.unshift(head);
    return head.subarray(0, count);
  }

  /** Removes and returns the first `count` buffered bytes (count ≤ buffered). */
  private take(count: number): Buffer {
    const head = this.peek(count);
    const first = this.chunks[0];
    if (first !== undefined && first.length > count) this.chunks[0] = first.subarray(count);
    else this.chunks.shift();
    this.buffered -= count;
    return head;
  }
}
