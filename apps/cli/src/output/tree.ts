import { lineFeedsShown } from './printable.js';
import { formatTable } from './table.js';

/** Width of the labels of a summary block, such as `Name:` and `Status:`, values starting after it. */
const LABEL_WIDTH = 17;

/**
 * One line of a summary block, its value aligned after the label (a line feed in it shown); `indent` nests it under
 * the line before.
 * @example summaryField('Step', '1/6', 2) === '  Step:          1/6'
 */
export function summaryField(label: string, value: string, indent = 0): string {
  return `${' '.repeat(indent)}${`${label}:`.padEnd(LABEL_WIDTH - indent)}${lineFeedsShown(value)}`;
}

/** Further lines of a summary value that spans several, aligned under its first. */
export const summaryContinuation = (value: string): string => `${' '.repeat(LABEL_WIDTH)}${lineFeedsShown(value)}`;

/** A row of a tree table and the rows under it. */
export interface TreeNode {
  icon: string;
  name: string;
  kind: string;
  status: string;
  age: string;
  info: string;
  children: TreeNode[];
}

function flatten(node: TreeNode, prefix: string, childPrefix: string): string[][] {
  const row = [`${prefix}${node.icon} ${node.name}`, node.kind, node.status, node.age, node.info];
  return [
    row,
    ...node.children.flatMap((child, index) => {
      const last = index === node.children.length - 1;
      return flatten(child, `${childPrefix}${last ? '└──' : '├──'}`, `${childPrefix}${last ? '   ' : '│  '}`);
    }),
  ];
}

/**
 * A tree as `kubectl argo rollouts get` draws it: one table, the NAME column indented with branch lines.
 * @example
 * formatTree({ icon: '⟳', name: 'a', kind: 'Rollout', status: '', age: '1s', info: '', children: [] })
 * // => 'NAME   KIND      STATUS   AGE   INFO\n⟳ a    Rollout            1s\n'
 */
export function formatTree(root: TreeNode): string {
  return formatTable(['NAME', 'KIND', 'STATUS', 'AGE', 'INFO'], flatten(root, '', ''));
}
