/** `medattn token new --token-file F`: prints a new token once; only its hash is appended to F. */
import { newToken } from '../../serve/index.js';

export function tokenNewCommand(o: { tokenFile: string }): void {
  console.log(newToken(o.tokenFile));
}
