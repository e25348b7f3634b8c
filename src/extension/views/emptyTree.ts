/**
 * A tree with no items yet. VS Code shows a view's welcome content
 * (contributes.viewsWelcome) only while its tree is empty, and shows an error
 * for a view with no provider at all, so the views later capabilities fill get
 * this until then.
 */
import * as vscode from 'vscode';

export class EmptyTree implements vscode.TreeDataProvider<never> {
  getTreeItem(element: never): vscode.TreeItem {
    return element;
  }

  getChildren(): never[] {
    return [];
  }
}
