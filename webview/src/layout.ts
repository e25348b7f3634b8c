/**
 * The Memory Layout panel's page. It speaks to the extension only through the
 * typed messages of src/core/protocol/layout.ts, checks each one it receives,
 * and builds its DOM with textContent, never from HTML strings.
 */
import '@vscode-elements/elements/dist/vscode-label/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import { type ArchName, isArchName } from '../../src/core/arch/arches';
import { type HostToPanel, LAYOUT_PROTOCOL_VERSION, parseHostToPanel } from '../../src/core/protocol/layout';
import { vscodeApi } from './vscodeApi';

interface SelectElement extends HTMLElement {
  value: string;
}

function el(tag: string, props: Record<string, unknown> = {}, ...children: (Node | string)[]): HTMLElement {
  const node = document.createElement(tag);
  Object.assign(node, props);
  node.append(...children);
  return node;
}

const app = document.getElementById('app');
if (!app) throw new Error('layout panel: #app is missing from the page');

let archSelect: SelectElement | undefined;
let archLabel: HTMLElement | undefined;

function showArch(arch: ArchName): void {
  vscodeApi.setState({ ...vscodeApi.getState(), arch });
  if (archSelect && archSelect.value !== arch) archSelect.value = arch;
  if (archLabel) archLabel.textContent = arch;
}

function render(init: Extract<HostToPanel, { type: 'init' }>): void {
  const select = el('vscode-single-select', { id: 'arch-select' }) as SelectElement;
  select.setAttribute('aria-label', 'Architecture');
  for (const arch of init.arches) {
    const option = el('vscode-option', {}, arch);
    option.setAttribute('value', arch);
    if (arch === init.arch) option.setAttribute('selected', '');
    select.append(option);
  }
  select.addEventListener('change', () => {
    if (isArchName(select.value)) vscodeApi.postMessage({ type: 'selectArch', arch: select.value });
  });
  const label = el('vscode-label', {}, 'Architecture');
  label.setAttribute('for', 'arch-select');

  const toolbar = el('header', { className: 'toolbar' }, label, select);
  toolbar.setAttribute('role', 'toolbar');
  toolbar.setAttribute('aria-label', 'Layout options');

  archLabel = el('strong', { className: 'arch-name' });
  const empty = el(
    'section',
    { className: 'empty-state' },
    el('h2', {}, 'No simulation yet'),
    el(
      'p',
      {},
      'This panel will draw where executable memory lands on ',
      archLabel,
      ': one strip per range (modules, fallback, vmalloc, ROX cache), each allocation coloured by type, step by step.',
    ),
    el('p', {}, 'Simulations start from call-site lenses in kernel C files once the allocator simulator is in place.'),
  );
  const footer = el('footer', { className: 'about' }, `Execmem Lens ${init.extensionVersion} · panel protocol ${init.protocol}`);

  archSelect = select;
  app!.replaceChildren(toolbar, empty, footer);
  showArch(init.arch);
}

function showError(text: string): void {
  const box = el('p', { className: 'error' }, text);
  box.setAttribute('role', 'alert');
  app!.append(box);
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const parsed = parseHostToPanel(event.data);
  if (!parsed.ok) {
    showError(`Ignored a message from the extension: ${parsed.error}`);
    return;
  }
  const msg = parsed.value;
  switch (msg.type) {
    case 'init':
      render(msg);
      return;
    case 'archChanged':
      showArch(msg.arch);
      return;
  }
});

vscodeApi.postMessage({ type: 'ready', protocol: LAYOUT_PROTOCOL_VERSION });
