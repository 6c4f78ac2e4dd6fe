import { MemoryStateStore } from "../../../src/state/memory.js";
import { stateStoreContract } from "./state.contract.js";

stateStoreContract("in-memory fake", async (clock) => new MemoryStateStore({ clock }));
