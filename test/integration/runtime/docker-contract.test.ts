import { DockerRuntime } from "../../../src/runtime/docker.js";
import { runtimeContract } from "../../contract/runtime.contract.js";

runtimeContract("Docker engine", async () => ({
  runtime: new DockerRuntime({ node: "local" }),
  image: "capstan-demo/web:v1",
  down: () => new DockerRuntime({ node: "local", address: "unix:///tmp/capstan-no-engine-here.sock", requestTimeoutMs: 2_000 }),
}));
