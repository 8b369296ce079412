// Runs a wasm32-wasip1 binary (a test harness) under Node's WASI: cargo's runner for that target
// (see .ci/wasm-tests). Arguments after the module are the program's; its exit code is ours.
import { readFile } from "node:fs/promises";
import { argv, env, exit } from "node:process";
import { WASI } from "node:wasi";

const [module, ...args] = argv.slice(2);
const wasi = new WASI({
  version: "preview1",
  args: [module, ...args],
  env,
  // The working directory (where cargo runs tests) and absolute paths (`env!("CARGO_MANIFEST_DIR")`).
  preopens: { ".": ".", "/": "/" },
  returnOnExit: true,
});
const compiled = await WebAssembly.compile(await readFile(module));
const instance = await WebAssembly.instantiate(compiled, wasi.getImportObject());
exit(wasi.start(instance));
