// The few DOM helpers every view uses.
export const $ = (id) => document.getElementById(id);

export function element(tag, properties = {}, children = []) {
  const node = document.createElement(tag);
  Object.assign(node, properties);
  for (const child of [].concat(children)) node.append(child);
  return node;
}

export function fillList(list, items = []) {
  list.replaceChildren(...items.map((text) => element('li', { textContent: text })));
}
