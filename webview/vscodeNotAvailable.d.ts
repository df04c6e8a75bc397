// The webview runs in a browser: it cannot import `vscode`. tsconfig.webview.json maps the module
// name `vscode` to this file, which is deliberately not a module, so such an import fails to
// type-check ("is not a module"). Talk to the extension through `host` (vscodeApi.ts) instead.
