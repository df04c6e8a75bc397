/**
 * The profiling panel's HTML and its Content-Security-Policy, built in one place. Pure (no
 * `vscode` import) so the browser tests load the very page the panel shows.
 */
import { randomBytes } from 'node:crypto';

/** What the page needs: the webview's CSP source and the URIs of the script and stylesheet. */
export interface PanelHtmlOptions {
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  nonce?: string;
}

/** A fresh nonce for one page load: 16 random bytes, base64. */
export function makeNonce(): string {
  return randomBytes(16).toString('base64');
}

/** Scripts only with the page's nonce; styles, images and fonts only from the extension. */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    `default-src 'none'`,
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
  ].join('; ');
}

/** The full page: CSP meta, the panel's stylesheet, an empty root and the bundle. */
export function panelHtml(options: PanelHtmlOptions): string {
  const nonce = options.nonce ?? makeNonce();
  const csp = contentSecurityPolicy(options.cspSource, nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(options.styleUri)}">
<title>Parallel Profiler</title>
</head>
<body>
<main id="root"></main>
<script nonce="${attr(nonce)}" src="${attr(options.scriptUri)}"></script>
</body>
</html>`;
}

function attr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
