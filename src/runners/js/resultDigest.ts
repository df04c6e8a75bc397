/**
 * A task result's digest and preview, to tell whether strategies returned the same for an input.
 * Equal results digest alike in any worker: object keys are taken in sorted order, Maps and Sets by
 * content. The digest is made between tasks, so it must cost little beside the call that made the
 * result: a result is hashed as it is walked, never rendered whole, and typed arrays and long
 * arrays of numbers are hashed as raw bytes (a million numbers: ~20 ms, not half a second).
 */
// node:crypto and node:util load on first use: most results are numbers, and every module a worker
// loads at start is start-up time the pool pays.
let crypto: typeof import('node:crypto') | undefined;
let util: typeof import('node:util') | undefined;

/** Primitives digest as their own tagged text; anything else as a hash of its content. */
export function describeResult(value: unknown): { digest: string; resultPreview: string } {
  const type = typeof value;
  if (typeof value === 'string' && value.length > 40) {
    // Not quoted whole: quoting a long string costs as much as hashing it.
    return { digest: hashOf(`s:${value}`), resultPreview: truncate(JSON.stringify(value.slice(0, 80))) };
  }
  if (value === null || (type !== 'object' && type !== 'function')) {
    const text = type === 'string' ? JSON.stringify(value) : String(value);
    const digest = `${type[0]}:${text}`;
    return { digest: digest.length <= 40 ? digest : hashOf(digest), resultPreview: truncate(text) };
  }
  const sink = new HashSink();
  feed(value, 0, sink);
  return { digest: sink.end(), resultPreview: previewOf(value, sink.topKeys) };
}

function hashOf(text: string): string {
  return new HashSink().text(text).end();
}

/**
 * A sha1 fed in large pieces (one update per value would cost more than the walk): text, and apart
 * from it the numbers, as raw bytes (turning a number into text costs more than hashing it). The
 * text marks where each number stood.
 */
class HashSink {
  private readonly createHash = (crypto ??= require('node:crypto') as typeof import('node:crypto')).createHash;
  private readonly textHash = this.createHash('sha1');
  private numberHash: import('node:crypto').Hash | undefined;
  private pending = '';
  private readonly numbers = new Float64Array(4096);
  private count = 0;
  private readonly quotedKeys = new Map<string, string>();
  /** The first keys of the value's top-level object, in its own order, for its preview. */
  topKeys?: string[];

  text(piece: string): this {
    this.pending += piece;
    if (this.pending.length > 65_536) this.flushText();
    return this;
  }

  /** An object's key, quoted once per digest: results often hold many objects of one shape. */
  key(name: string): void {
    let quoted = this.quotedKeys.get(name);
    if (quoted === undefined) {
      // Most keys need no escaping, and JSON.stringify costs several times the test.
      quoted = PLAIN_KEY.test(name) ? `"${name}":` : `${JSON.stringify(name)}:`;
      if (this.quotedKeys.size < 1000) this.quotedKeys.set(name, quoted);
    }
    this.text(quoted);
  }

  number(value: number): void {
    this.numbers[this.count++] = value;
    if (this.count === this.numbers.length) this.flushNumbers();
  }

  bytes(view: ArrayBufferView): void {
    this.flushText();
    this.textHash.update(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
  }

  end(): string {
    this.flushText();
    this.flushNumbers();
    const text = this.textHash.digest('hex');
    if (!this.numberHash) return text.slice(0, 16);
    return this.createHash('sha1').update(text + this.numberHash.digest('hex')).digest('hex').slice(0, 16);
  }

  private flushText(): void {
    if (this.pending) this.textHash.update(this.pending);
    this.pending = '';
  }

  private flushNumbers(): void {
    if (this.count === 0) return;
    this.numberHash ??= this.createHash('sha1');
    this.numberHash.update(new Uint8Array(this.numbers.buffer, 0, this.count * 8));
    this.count = 0;
  }
}

/** A key JSON.stringify would quote as it is. */
const PLAIN_KEY = /^[\w$.-]*$/;

/** Below this length an array of numbers is hashed as text: copying it out would cost more. */
const BYTES_FROM = 16;

function feed(value: unknown, depth: number, sink: HashSink): void {
  if (depth > 20) {
    sink.text('…;');
    return;
  }
  if (typeof value === 'number') {
    sink.text('n');
    sink.number(value);
    return;
  }
  if (value === null || typeof value !== 'object') {
    sink.text(primitiveText(value));
    return;
  }
  if (Array.isArray(value)) {
    if (value.length >= BYTES_FROM && every(value, 'number')) {
      sink.text(`[#${value.length}`);
      sink.bytes(new Float64Array(value));
      sink.text(']');
    } else if (value.length >= BYTES_FROM && every(value, 'string')) {
      sink.text(`[$${JSON.stringify(value)}]`);
    } else {
      sink.text('[');
      for (let i = 0; i < value.length; i++) feed(value[i], depth + 1, sink);
      sink.text(']');
    }
    return;
  }
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof SharedArrayBuffer) {
    const view = ArrayBuffer.isView(value) ? value : new Uint8Array(value);
    sink.text(`${value.constructor.name}(${view.byteLength}:`);
    sink.bytes(view);
    sink.text(')');
    return;
  }
  if (value instanceof Map) {
    const entries = [...value].map(([k, v]) => `${pieceOf(k, depth)}=>${pieceOf(v, depth)}`).sort();
    sink.text(`Map{${entries.join(',')}}`);
    return;
  }
  if (value instanceof Set) {
    sink.text(`Set{${[...value].map((v) => pieceOf(v, depth)).sort().join(',')}}`);
    return;
  }
  if (value instanceof Date) {
    sink.text(`Date(${value.getTime()})`);
    return;
  }
  if (value instanceof RegExp || value instanceof Error) {
    sink.text(`${value.constructor.name}(${JSON.stringify(String(value))})`);
    return;
  }
  sink.text('{');
  const keys = Object.keys(value);
  // Listing a big object's keys takes as long as sorting them: its preview takes its first ones from here.
  if (depth === 0) sink.topKeys = keys.slice(0, PREVIEW_KEYS + 1);
  if (!isSorted(keys)) keys.sort();
  for (const key of keys) {
    sink.key(key);
    feed((value as Record<string, unknown>)[key], depth + 1, sink);
  }
  sink.text('}');
}

/** A string is preceded by its length, so that no string's text reads as another value's. */
function primitiveText(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return `s${value.length}:${value}`;
    case 'function':
      return `fn:${value.name};`;
    default:
      return `${typeof value}:${String(value)};`;
  }
}

/** An element of a Map or Set, as text to sort by: its own for a primitive, its digest otherwise. */
function pieceOf(value: unknown, depth: number): string {
  if (value === null || typeof value !== 'object') return primitiveText(value);
  const sink = new HashSink();
  feed(value, depth + 1, sink);
  return `#${sink.end()}`;
}

function isSorted(keys: string[]): boolean {
  for (let i = 1; i < keys.length; i++) if (keys[i - 1] > keys[i]) return false;
  return true;
}

function every(array: unknown[], type: 'number' | 'string'): boolean {
  for (let i = 0; i < array.length; i++) if (typeof array[i] !== type) return false;
  return true;
}

function truncate(text: string): string {
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

/** Keys of a plain object shown in its preview: inspect renders every key, then the preview keeps 80 characters. */
const PREVIEW_KEYS = 10;

/**
 * A short rendering of any value, for the report. `keys`: the first of its own keys, where the
 * caller has listed them already.
 */
export function previewOf(value: unknown, keys?: string[]): string {
  try {
    util ??= require('node:util') as typeof import('node:util');
    const cut = fewKeys(value, keys);
    let text = util.inspect(cut ?? value, { depth: 2, breakLength: Infinity, maxArrayLength: 10, maxStringLength: 80 });
    if (cut) text = text.replace(/ \}$/, ', ... more keys }');
    // inspect still breaks arrays of over six numbers into rows; a preview is one line.
    return truncate(text.replace(/\s*\n\s*/g, ' '));
  } catch {
    return '<unprintable>';
  }
}

/**
 * A plain object with many keys, cut to its first few, as inspect cuts arrays: inspecting a result
 * of 50 000 keys whole took 39 ms, as long as the call that made it. (Counting the rest would cost
 * as much as listing them.)
 */
function fewKeys(value: unknown, keys?: string[]): object | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const proto = Object.getPrototypeOf(value) as object | null;
  if (proto !== Object.prototype && proto !== null) return undefined;
  const first = keys ?? firstKeys(value);
  if (first.length <= PREVIEW_KEYS) return undefined;
  const few = Object.create(proto) as Record<string, unknown>;
  for (const key of first.slice(0, PREVIEW_KEYS)) few[key] = (value as Record<string, unknown>)[key];
  return few;
}

/** An object's first PREVIEW_KEYS + 1 own enumerable keys, without listing them all. */
function firstKeys(value: object): string[] {
  const keys: string[] = [];
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    keys.push(key);
    if (keys.length > PREVIEW_KEYS) break;
  }
  return keys;
}
