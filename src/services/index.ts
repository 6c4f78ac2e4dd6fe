export { ServiceProxy, type Endpoint, type ProxyOptions, type ProxyStats } from "./proxy.js";
export { serviceEndpoints, serviceAliases, type PodEndpointSource, type ServiceEndpoints, type ServicePortEndpoints } from "./endpoints.js";
export { assignNodePorts, NODE_PORT_RANGE, type NodePortAssignment } from "./nodeports.js";
export { ServiceController, serviceNetworkName, SHARED_SERVICE_NETWORK, type ServiceControllerOptions, type ServiceStatus } from "./controller.js";
