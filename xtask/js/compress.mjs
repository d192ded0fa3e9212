// Compression for `cargo xtask build`, `test` and `bench`, with Node's zlib (no extra package):
//   node compress.mjs write-br <dir> <cache dir>   writes <file>.br (brotli, quality 11) beside every file of <dir>
//   node compress.mjs sizes <file>...    prints {"<file>": {"raw": n, "gzip": n, "br": n}} (gzip level 9)
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, gzipSync, constants } from "node:zlib";

const brotli = (bytes) =>
  brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });

const [mode, ...args] = process.argv.slice(2);
if (mode === "write-br") {
  // Content-named files never change, so a .br kept in the cache folder under the same name is already right (the
  // build clears dist/ every time; the cache makes a second build quick).
  const [dir, cacheDir] = args;
  mkdirSync(cacheDir, { recursive: true });
  for (const name of readdirSync(dir)) {
    const file = join(dir, name);
    if (name.endsWith(".br") || !statSync(file).isFile()) continue;
    const cached = join(cacheDir, `${name}.br`);
    if (!existsSync(cached)) writeFileSync(cached, brotli(readFileSync(file)));
    copyFileSync(cached, `${file}.br`);
  }
} else if (mode === "sizes") {
  const sizes = {};
  for (const file of args) {
    const bytes = readFileSync(file);
    // The .br the build wrote is what the edge sends; compressed here only for files without one.
    const br = existsSync(`${file}.br`) ? statSync(`${file}.br`).size : brotli(bytes).length;
    sizes[file] = { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length, br };
  }
  console.log(JSON.stringify(sizes));
} else {
  console.error("usage: compress.mjs write-br <dir> | sizes <file>...");
  process.exit(2);
}
