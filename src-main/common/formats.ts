// How an own identity's key is handed out. The same words in core, the IPC contract, the CLI and
// the page; a QR code carries public material only, so only the file formats may carry a secret.

export const EXPORT_FORMATS = ['zcert', 'pyzmq', 'json', 'qr-png', 'qr-svg', 'qr-text'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The formats that may carry the secret key (into a 0600 file). */
export const SECRET_EXPORT_FORMATS = ['zcert', 'pyzmq', 'json'] as const satisfies ReadonlyArray<ExportFormat>;
export type SecretExportFormat = (typeof SECRET_EXPORT_FORMATS)[number];

export function isExportFormat(text: string): text is ExportFormat {
  return (EXPORT_FORMATS as ReadonlyArray<string>).includes(text);
}

export function carriesSecret(format: ExportFormat): format is SecretExportFormat {
  return (SECRET_EXPORT_FORMATS as ReadonlyArray<string>).includes(format);
}
