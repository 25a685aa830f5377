import { childPath, indexPath, type IssueList } from './issues.js';

/** Reports every name that appears more than once in a list, at the later item's name field. */
export function checkUniqueNames(
  items: readonly ({ name?: string } | undefined)[] | undefined,
  path: string,
  what: string,
  issues: IssueList,
): void {
  const firstIndexByName = new Map<string, number>();
  (items ?? []).forEach((item, index) => {
    const itemName = item?.name;
    if (itemName === undefined) return;
    const firstIndex = firstIndexByName.get(itemName);
    if (firstIndex === undefined) firstIndexByName.set(itemName, index);
    else issues.add(childPath(indexPath(path, index), 'name'), `duplicate ${what} "${itemName}" (also at index ${firstIndex})`);
  });
}
