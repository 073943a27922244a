// Node 20 lacks Object.groupBy / Map.groupBy (Node 21+), which the zen CLI calls.
if (!Object.groupBy) {
  Object.groupBy = (items, fn) => {
    const out = Object.create(null);
    let i = 0;
    for (const x of items) (out[fn(x, i++)] ||= []).push(x);
    return out;
  };
}
if (!Map.groupBy) {
  Map.groupBy = (items, fn) => {
    const out = new Map();
    let i = 0;
    for (const x of items) {
      const k = fn(x, i++);
      if (!out.has(k)) out.set(k, []);
      out.get(k).push(x);
    }
    return out;
  };
}
