import { FakeRuntime } from "../../../src/runtime/fake.js";
import { runtimeContract } from "../../contract/runtime.contract.js";

runtimeContract("in-memory fake", async () => {
  const runtime = new FakeRuntime({ node: "fake-1", images: ["capstan-demo/web:v1"] });
  return {
    runtime,
    image: "capstan-demo/web:v1",
    down: () => {
      const rt = new FakeRuntime({ node: "fake-1" });
      rt.setAvailable(false);
      return rt;
    },
  };
});
