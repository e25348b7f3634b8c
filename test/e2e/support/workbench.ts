/** The workbench steps live beside the code-server harness, for the demo's check mode too. */
export * from '../../../scripts/lib/workbench';
