/** `medattn models [--json]`: networks and attention blocks with their parameter counts. */
import { formatCatalog, modelCatalog } from '../../models/catalog.js';

export function modelsCommand(o: { json?: boolean }): void {
  const catalog = modelCatalog();
  console.log(o.json ? JSON.stringify(catalog) : formatCatalog(catalog));
}
