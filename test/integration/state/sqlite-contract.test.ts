import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { openSqliteStateStore } from "../../../src/state/sqlite.js";
import { stateStoreContract } from "../../unit/state/state.contract.js";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

stateStoreContract("SQLite", async (clock) => {
  const dir = mkdtempSync(join(tmpdir(), "capstan-state-"));
  dirs.push(dir);
  return openSqliteStateStore(dir, { clock });
});
