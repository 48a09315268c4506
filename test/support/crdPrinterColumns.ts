// The Webhook and ClusterWebhook kinds' columns in kubectl get (manifests/crds.yaml).

// design: issue 13, "printer columns"
export const PRINTER_COLUMNS = [
  { name: "URL", type: "string", jsonPath: ".spec.url" },
  { name: "Ready", type: "string", jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
  {
    name: "Disabled",
    type: "string",
    jsonPath: '.status.conditions[?(@.type=="Disabled")].status',
  },
  { name: "Last Delivery", type: "date", jsonPath: ".status.lastDelivery.time" },
  { name: "Result", type: "string", jsonPath: ".status.lastDelivery.result" },
  { name: "Delivered", type: "integer", jsonPath: ".status.delivered" },
  { name: "Failed", type: "integer", jsonPath: ".status.failed" },
  { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
];
export const HEADER = [
  "NAME",
  "URL",
  "READY",
  "DISABLED",
  "LAST DELIVERY",
  "RESULT",
  "DELIVERED",
  "FAILED",
  "AGE",
];
