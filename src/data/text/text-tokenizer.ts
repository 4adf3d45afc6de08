/**
 * WordPiece tokenization of clinical notes through Hugging Face's `tokenizers` (the npm package ships its
 * prebuilt Rust binaries inside, no download at install time).
 *
 * Normalisation is BERT's: control characters removed, accents stripped, lower-cased (option), whitespace
 * and punctuation split. Training runs the library's WordPiece trainer on the training notes only (its
 * vocabulary size is fixed at 30,000 in the Node binding), then keeps the `vocabSize` pieces most frequent
 * in those notes plus every single-character piece, so any word still tokenizes without [UNK]. Id 0 is
 * [PAD], 1 is [UNK]. The tokenizer is saved as tokenizer.json in the run folder and loaded from there.
 *
 * Notes longer than `maxTokens` keep their first ceil(maxTokens/2) and last floor(maxTokens/2) tokens:
 * history and chief complaint open a note, assessment and plan close it; `truncated` says when this happened.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bertNormalizer, bertPreTokenizer, Tokenizer, WordPiece } from 'tokenizers';

export const PAD_ID = 0;
export const UNK_ID = 1;

export interface TokenizerOptions {
  /** Pieces kept (including [PAD], [UNK] and the single characters). */
  vocabSize: number;
  lowercase: boolean;
}

export interface EncodedText {
  ids: Int32Array;
  tokens: string[];
  /** The note had more tokens than maxTokens and was cut to its head and tail. */
  truncated: boolean;
  /** Tokens before the cut. */
  fullLength: number;
}

function buildTokenizer(vocab: Record<string, number>, lowercase: boolean): Tokenizer {
  const tok = new Tokenizer(WordPiece.init(vocab, { unkToken: '[UNK]', continuingSubwordPrefix: '##' }));
  tok.setNormalizer(bertNormalizer({ lowercase, stripAccents: lowercase, cleanText: true }));
  tok.setPreTokenizer(bertPreTokenizer());
  return tok;
}

/** Keeps the first ceil(max/2) and last floor(max/2) of a sequence longer than max. */
export function headTailIndices(length: number, max: number): number[] {
  if (length <= max) return Array.from({ length }, (_, i) => i);
  const head = Math.ceil(max / 2);
  const tail = max - head;
  return [...Array.from({ length: head }, (_, i) => i), ...Array.from({ length: tail }, (_, i) => length - tail + i)];
}

export class TextTokenizer {
  private constructor(private readonly tok: Tokenizer) {}

  /** Trains on `texts` (the training split only). */
  static async train(texts: string[], options: TokenizerOptions): Promise<TextTokenizer> {
    if (options.vocabSize < 64) throw new RangeError(`text.vocabSize must be at least 64, got ${options.vocabSize}`);
    const dir = mkdtempSync(join(tmpdir(), 'medattn-tok-'));
    let full: Tokenizer;
    try {
      const file = join(dir, 'train.txt');
      writeFileSync(file, texts.map((t) => t.replace(/[\r\n]+/g, ' ')).join('\n'));
      full = new Tokenizer(WordPiece.empty());
      full.setNormalizer(bertNormalizer({ lowercase: options.lowercase, stripAccents: options.lowercase }));
      full.setPreTokenizer(bertPreTokenizer());
      full.train([file]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // Frequency of each piece in the training notes, as the full vocabulary splits them.
    const counts = new Map<string, number>();
    for (const e of await full.encodeBatch(texts))
      for (const t of e.getTokens()) counts.set(t, (counts.get(t) ?? 0) + 1);
    const pieces = Object.keys(full.getVocab());
    const isChar = (p: string) => [...p.replace(/^##/, '')].length === 1;
    const chars = pieces.filter(isChar).sort();
    const rest = pieces
      .filter((p) => !isChar(p) && (counts.get(p) ?? 0) > 0)
      .sort((a, b) => (counts.get(b) ?? 0) - (counts.get(a) ?? 0) || (a < b ? -1 : 1));
    const kept = ['[PAD]', '[UNK]', ...chars, ...rest].slice(0, Math.max(options.vocabSize, chars.length + 2));
    return new TextTokenizer(buildTokenizer(Object.fromEntries(kept.map((p, i) => [p, i])), options.lowercase));
  }

  static load(file: string): TextTokenizer {
    return new TextTokenizer(Tokenizer.fromFile(file));
  }

  save(file: string): void {
    this.tok.save(file);
  }

  /** The saved JSON as text (for writing it atomically). */
  toJSON(): string {
    const dir = mkdtempSync(join(tmpdir(), 'medattn-tok-'));
    try {
      const file = join(dir, 'tokenizer.json');
      this.tok.save(file);
      return readFileSync(file, 'utf8');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  get vocabSize(): number {
    return this.tok.getVocabSize();
  }

  token(id: number): string {
    return this.tok.idToToken(id) ?? '[UNK]';
  }

  id(token: string): number {
    return this.tok.tokenToId(token) ?? UNK_ID;
  }

  /** Token ids of each note, cut to head + tail when longer than maxTokens. */
  async encode(texts: string[], maxTokens: number): Promise<EncodedText[]> {
    const out: EncodedText[] = [];
    // In slices: one encodeBatch of thousands of long notes holds them all in memory at once.
    for (let s = 0; s < texts.length; s += 256) {
      for (const e of await this.tok.encodeBatch(texts.slice(s, s + 256))) {
        const ids = e.getIds();
        const tokens = e.getTokens();
        const keep = headTailIndices(ids.length, maxTokens);
        out.push({
          ids: Int32Array.from(keep, (i) => ids[i]),
          tokens: keep.map((i) => tokens[i]),
          truncated: keep.length < ids.length,
          fullLength: ids.length,
        });
      }
    }
    return out;
  }
}
