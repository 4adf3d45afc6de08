/** Distinct colours for class indices (Okabe-Ito, readable by colour-blind viewers); pure, for server and page. */
export const CLASS_COLORS = ['#E69F00', '#56B4E9', '#009E73', '#F0E442', '#0072B2', '#D55E00', '#CC79A7', '#FFFFFF'];

export function classColor(classId: number): string {
  return CLASS_COLORS[classId % CLASS_COLORS.length];
}
