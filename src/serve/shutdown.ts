/**
 * Graceful shutdown on SIGTERM/SIGINT (systemd stop, docker stop, Kubernetes): /readyz turns 503 at once, the
 * listener closes, new requests get 503 with `Connection: close`, requests in flight finish; after `graceMs` the
 * process closes anyway. Closing releases the ONNX Runtime sessions.
 */
import type { Service } from './app.js';

export function shutdownOnSignals(service: Service, graceMs: number, onClosed: () => void): void {
  let closing = false;
  const stop = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    service.state.ready = false;
    service.app.log.info({ signal }, 'shutting down: finishing requests in flight');
    const force = setTimeout(() => {
      service.app.log.warn('grace period over: closing with requests still open');
      service.app.server.closeAllConnections();
    }, graceMs);
    force.unref();
    void service.app
      .close() // its onClose hook releases the models' sessions
      .then(() => {
        clearTimeout(force);
        service.app.log.info('stopped');
        onClosed();
      });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
