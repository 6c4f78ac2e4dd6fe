/** Kubernetes name rules, with the messages Kubernetes gives (shortened). */

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Returns an error message, or undefined when valid. */
export function checkDns1123Label(name: string): string | undefined {
  if (name.length > 63) return `"${name}" is longer than 63 characters (a DNS-1123 label)`;
  if (!LABEL.test(name)) {
    return `"${name}" is not a valid DNS-1123 label: lower case letters, digits and '-', starting and ending with a letter or digit`;
  }
  return undefined;
}

export function checkDns1123Subdomain(name: string, max = 253): string | undefined {
  if (name.length > max) return `"${name}" is longer than ${max} characters`;
  if (!SUBDOMAIN.test(name)) {
    return `"${name}" is not a valid DNS-1123 subdomain: lower case letters, digits, '-' and '.', starting and ending with a letter or digit`;
  }
  return undefined;
}

export function checkDns1035Label(name: string): string | undefined {
  if (name.length > 63) return `"${name}" is longer than 63 characters (a DNS-1035 label)`;
  if (!DNS1035.test(name)) {
    return `"${name}" is not a valid DNS-1035 label: lower case letters, digits and '-', starting with a letter and ending with a letter or digit`;
  }
  return undefined;
}

/** IANA service name, as Kubernetes requires for named ports. */
export function checkPortName(name: string): string | undefined {
  if (name.length > 15) return `"${name}" is longer than 15 characters (a port name)`;
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(name) || name.includes("--") || !/[a-z]/.test(name)) {
    return `"${name}" is not a valid port name: lower case letters, digits and '-', at least one letter, no '--'`;
  }
  return undefined;
}

export function checkLabelKey(key: string): string | undefined {
  const slash = key.lastIndexOf("/");
  const prefix = slash === -1 ? undefined : key.slice(0, slash);
  const name = slash === -1 ? key : key.slice(slash + 1);
  if (prefix !== undefined && checkDns1123Subdomain(prefix)) return `label key "${key}" has an invalid prefix "${prefix}"`;
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME.test(name)) {
    return `label key "${key}" is invalid: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (optionally prefixed with a DNS subdomain and '/')`;
  }
  return undefined;
}

export function checkLabelValue(value: string): string | undefined {
  if (value.length > 63 || !LABEL_VALUE.test(value)) {
    return `label value "${value}" is invalid: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`;
  }
  return undefined;
}
