// Computes the expected token counts of client/src/test/resources/dev/ratelimiter/client/llm/token-corpus.json
// with tokenizers that share no code with jtokkit, so that TokenCountersTest checks jtokkit against them:
//   js-tiktoken 1.x (OpenAI's cl100k_base and o200k_base ranks, shipped in the npm package) and
//   @anthropic-ai/tokenizer 0.0.4 (the only Claude tokenizer Anthropic published; its README says it
//   is not accurate for Claude 3 and later models).
// Run from an empty directory:
//   npm install js-tiktoken@1 @anthropic-ai/tokenizer@0.0.4
//   node expected-counts.mjs corpus-texts.json token-corpus.json
import fs from "node:fs";
import { getEncoding } from "js-tiktoken";
import { countTokens } from "@anthropic-ai/tokenizer";

const corpus = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const cl100k = getEncoding("cl100k_base");
const o200k = getEncoding("o200k_base");
for (const entry of corpus.texts) {
  entry.cl100k_base = cl100k.encode(entry.text).length;
  entry.o200k_base = o200k.encode(entry.text).length;
  entry.claude_legacy = countTokens(entry.text);
}
fs.writeFileSync(process.argv[3], JSON.stringify(corpus, null, 1) + "\n");
