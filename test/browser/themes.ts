/**
 * Theme variables as VS Code sets them on a webview (values from the default Light+, Dark+ and
 * High Contrast themes), so the test page looks like the panel inside VS Code.
 */

/** A theme: the body class VS Code sets and the `--vscode-*` variables. */
export interface TestTheme {
  name: 'light' | 'dark' | 'high-contrast';
  bodyClass: string;
  vars: Record<string, string>;
}

const common = {
  '--vscode-font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif',
  '--vscode-font-size': '13px',
  '--vscode-editor-font-family': '"Droid Sans Mono", "monospace", monospace',
};

export const LIGHT: TestTheme = {
  name: 'light',
  bodyClass: 'vscode-light',
  vars: {
    ...common,
    '--vscode-foreground': '#616161',
    '--vscode-descriptionForeground': '#717171',
    '--vscode-editor-background': '#ffffff',
    '--vscode-editor-foreground': '#000000',
    '--vscode-charts-foreground': '#616161',
    '--vscode-charts-lines': '#61616180',
    '--vscode-charts-red': '#e51400',
    '--vscode-charts-blue': '#1a85ff',
    '--vscode-charts-yellow': '#bf8803',
    '--vscode-charts-orange': '#d18616',
    '--vscode-charts-green': '#388a34',
    '--vscode-charts-purple': '#652d90',
    '--vscode-panel-border': '#80808059',
    '--vscode-button-background': '#007acc',
    '--vscode-button-foreground': '#ffffff',
    '--vscode-button-hoverBackground': '#0062a3',
    '--vscode-button-secondaryBackground': '#5f6a79',
    '--vscode-button-secondaryForeground': '#ffffff',
    '--vscode-button-secondaryHoverBackground': '#4c5561',
    '--vscode-textLink-foreground': '#006ab1',
    '--vscode-textLink-activeForeground': '#006ab1',
    '--vscode-textBlockQuote-background': '#7f7f7f1a',
    '--vscode-textCodeBlock-background': '#dcdcdc66',
    '--vscode-errorForeground': '#a1260d',
    '--vscode-editorWarning-foreground': '#bf8803',
    '--vscode-badge-background': '#c4c4c4',
    '--vscode-badge-foreground': '#333333',
    '--vscode-editorHoverWidget-background': '#f3f3f3',
    '--vscode-editorHoverWidget-foreground': '#616161',
    '--vscode-editorHoverWidget-border': '#c8c8c8',
    '--vscode-focusBorder': '#0090f1',
    '--vscode-inputValidation-warningBackground': '#f6f5d2',
    '--vscode-inputValidation-warningBorder': '#b89500',
  },
};

export const DARK: TestTheme = {
  name: 'dark',
  bodyClass: 'vscode-dark',
  vars: {
    ...common,
    '--vscode-foreground': '#cccccc',
    '--vscode-descriptionForeground': '#ccccccb3',
    '--vscode-editor-background': '#1e1e1e',
    '--vscode-editor-foreground': '#d4d4d4',
    '--vscode-charts-foreground': '#cccccc',
    '--vscode-charts-lines': '#cccccc80',
    '--vscode-charts-red': '#f14c4c',
    '--vscode-charts-blue': '#3794ff',
    '--vscode-charts-yellow': '#cca700',
    '--vscode-charts-orange': '#d18616',
    '--vscode-charts-green': '#89d185',
    '--vscode-charts-purple': '#b180d7',
    '--vscode-panel-border': '#80808059',
    '--vscode-button-background': '#0e639c',
    '--vscode-button-foreground': '#ffffff',
    '--vscode-button-hoverBackground': '#1177bb',
    '--vscode-button-secondaryBackground': '#3a3d41',
    '--vscode-button-secondaryForeground': '#cccccc',
    '--vscode-button-secondaryHoverBackground': '#45494e',
    '--vscode-textLink-foreground': '#3794ff',
    '--vscode-textLink-activeForeground': '#3794ff',
    '--vscode-textBlockQuote-background': '#7f7f7f1a',
    '--vscode-textCodeBlock-background': '#0a0a0a66',
    '--vscode-errorForeground': '#f48771',
    '--vscode-editorWarning-foreground': '#cca700',
    '--vscode-badge-background': '#4d4d4d',
    '--vscode-badge-foreground': '#ffffff',
    '--vscode-editorHoverWidget-background': '#252526',
    '--vscode-editorHoverWidget-foreground': '#cccccc',
    '--vscode-editorHoverWidget-border': '#454545',
    '--vscode-focusBorder': '#007fd4',
    '--vscode-inputValidation-warningBackground': '#352a05',
    '--vscode-inputValidation-warningBorder': '#b89500',
  },
};

export const HIGH_CONTRAST: TestTheme = {
  name: 'high-contrast',
  bodyClass: 'vscode-high-contrast',
  vars: {
    ...DARK.vars,
    '--vscode-foreground': '#ffffff',
    '--vscode-descriptionForeground': '#ffffffb3',
    '--vscode-editor-background': '#000000',
    '--vscode-editor-foreground': '#ffffff',
    '--vscode-charts-foreground': '#ffffff',
    '--vscode-charts-lines': '#ffffff80',
    '--vscode-charts-yellow': '#ffd700',
    '--vscode-contrastBorder': '#6fc3df',
    '--vscode-panel-border': '#6fc3df',
    '--vscode-button-background': '#000000',
    '--vscode-button-border': '#6fc3df',
    '--vscode-button-secondaryBackground': '#000000',
    '--vscode-textLink-foreground': '#21a6ff',
    '--vscode-editorHoverWidget-background': '#0c141f',
    '--vscode-editorHoverWidget-border': '#6fc3df',
    '--vscode-badge-background': '#000000',
  },
};
