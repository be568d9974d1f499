/**
 * @module The portal's view of stored scans: decrypting goes through the intake side's `readFile`; delete-all also
 * removes the account's whole local folder (`DATA_DIR/files/<account>`) after the per-file deletes, so nothing
 * half-written (temporary files of an interrupted upload) survives.
 */
import fs from 'node:fs';
import path from 'node:path';

export const accountFilesDir = (dataDir: string, accountId: string) => path.join(dataDir, 'files', accountId);

export const removeAccountFiles = async (dataDir: string, accountId: string) => {
  await fs.promises.rm(accountFilesDir(dataDir, accountId), { recursive: true, force: true });
};
