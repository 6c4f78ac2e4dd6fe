// The applications as last seen, kept current by the event stream.

const apps = new Map();
const appListeners = new Set();
const eventListeners = new Set();
let loaded = false;

export const store = {
  get loaded() {
    return loaded;
  },
  apps: () => [...apps.values()].sort((a, b) => a.name.localeCompare(b.name)),
  app: (name) => apps.get(name),
  setAll(list) {
    apps.clear();
    for (const a of list) apps.set(a.name, a);
    loaded = true;
    for (const l of appListeners) l(null);
  },
  set(app) {
    const before = apps.get(app.name);
    apps.set(app.name, app);
    for (const l of appListeners) l(app.name, before);
  },
  remove(name) {
    apps.delete(name);
    for (const l of appListeners) l(name);
  },
  event(e) {
    for (const l of eventListeners) l(e);
  },
  /** Called with the changed app's name (null for all); returns the unsubscribe function. */
  onApps(fn) {
    appListeners.add(fn);
    return () => appListeners.delete(fn);
  },
  onEvent(fn) {
    eventListeners.add(fn);
    return () => eventListeners.delete(fn);
  },
};
