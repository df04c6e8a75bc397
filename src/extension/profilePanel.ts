/**
 * The profiling panel (one instance): hosts the webview that renders a report, posts it only after
 * the webview says `ready`, answers the webview's requests (open a source location, export, save,
 * re-run) and comes back after a window reload through a registered serializer.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Report, SourceLocation } from '../core/model';
import { assertNever, type FromWebview, type PanelState, type ToWebview } from '../core/webviewProtocol';
import { panelHtml } from './panelHtml';

/** The panel host. `createOrShow` makes or reveals the single instance. */
export class ProfilePanel {
  static readonly viewType = 'parallelProfiler.panel';
  static current: ProfilePanel | undefined;

  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  private _report: Report | undefined;
  /** What to post once the webview is ready (and again if it reloads): the latest view. */
  private latest: ToWebview | undefined;

  /** Opens the panel beside the editor, or reveals it when it is already open. */
  static createOrShow(extensionUri: vscode.Uri): ProfilePanel {
    if (ProfilePanel.current) {
      ProfilePanel.current.panel.reveal(undefined, true);
      return ProfilePanel.current;
    }
    const panel = vscode.window.createWebviewPanel(
      ProfilePanel.viewType,
      'Parallel Profiler',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      ProfilePanel.webviewOptions(extensionUri),
    );
    ProfilePanel.current = new ProfilePanel(panel, extensionUri, undefined);
    return ProfilePanel.current;
  }

  /** Restores the panel (and its report, kept by the webview's `setState`) after a window reload. */
  static registerSerializer(context: vscode.ExtensionContext): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(ProfilePanel.viewType, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
        ProfilePanel.current?.dispose();
        panel.webview.options = ProfilePanel.webviewOptions(context.extensionUri);
        const report = (state as PanelState | undefined)?.report;
        ProfilePanel.current = new ProfilePanel(panel, context.extensionUri, report);
      },
    });
  }

  private static webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return {
      enableScripts: true,
      enableFindWidget: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
    };
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    restored: Report | undefined,
  ) {
    this._report = restored;
    if (restored) {
      this.latest = { type: 'report', report: restored };
      panel.title = `Parallel Profiler: ${restored.target.name}`;
    }
    const webview = panel.webview;
    webview.html = panelHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'panel.css')).toString(),
    });
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'panel-icon.svg');
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      webview.onDidReceiveMessage((msg: FromWebview) => this.onMessage(msg)),
      vscode.window.onDidChangeActiveColorTheme(() => this.post({ type: 'theme' })),
    );
  }

  /** The report the panel shows now, if any. */
  get report(): Report | undefined {
    return this._report;
  }

  /** Shows a report (replacing progress or an older report). */
  showReport(report: Report): void {
    this._report = report;
    this.panel.title = `Parallel Profiler: ${report.target.name}`;
    this.latest = { type: 'report', report };
    this.post(this.latest);
  }

  /** Shows live progress of a running profile. */
  showProgress(target: string, lines: string[]): void {
    this.latest = { type: 'progress', target, lines };
    this.post(this.latest);
  }

  dispose(): void {
    if (ProfilePanel.current === this) ProfilePanel.current = undefined;
    const disposables = this.disposables.splice(0);
    this.panel.dispose();
    for (const d of disposables) d.dispose();
  }

  private post(message: ToWebview): void {
    if (this.ready) void this.panel.webview.postMessage(message);
  }

  private onMessage(msg: FromWebview): void {
    switch (msg.type) {
      case 'ready':
        // Also after the webview reloads (hidden and shown again): send the latest view again.
        this.ready = true;
        if (this.latest) this.post(this.latest);
        break;
      case 'openLocation':
        void openLocation(msg.location);
        break;
      case 'exportTrace':
        void vscode.commands.executeCommand('parallelProfiler.exportTrace');
        break;
      case 'exportReport':
        void vscode.commands.executeCommand('parallelProfiler.saveReport');
        break;
      case 'rerun':
        void vscode.commands.executeCommand('parallelProfiler.rerun');
        break;
      default:
        assertNever(msg);
    }
  }
}

/** Opens `file` at `line` (1-based) in the editor; relative paths resolve against the workspace. */
async function openLocation(location: SourceLocation): Promise<void> {
  const line = Number.isInteger(location.line) && location.line > 0 ? location.line - 1 : 0;
  const candidates = path.isAbsolute(location.file)
    ? [vscode.Uri.file(location.file)]
    : (vscode.workspace.workspaceFolders ?? []).map((f) => vscode.Uri.joinPath(f.uri, location.file));
  for (const uri of candidates) {
    try {
      await vscode.workspace.fs.stat(uri);
    } catch {
      continue;
    }
    const position = new vscode.Position(line, 0);
    await vscode.window.showTextDocument(uri, {
      viewColumn: vscode.ViewColumn.One,
      selection: new vscode.Range(position, position),
    });
    return;
  }
  void vscode.window.showErrorMessage(
    `Cannot open ${location.file}:${location.line}: the file does not exist here. Open the workspace the profile was made in.`,
  );
}
