/**
 * @module Hands a fetched file to the browser's download manager without leaving the page.
 */
export const saveFile = (blob: Blob, filename: string): void => {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
  // Revoking at once can cancel the download in some browsers; a short delay is enough.
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
};
