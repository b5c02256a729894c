// Writes the staged root rotation plan: npx tsx examples/root-rotation/main.ts (dist/rotation-cert-manager/).
import { buildRootRotation } from './rotation';

buildRootRotation().synth();
