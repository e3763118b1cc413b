// A min-heap of (readyAt, key) for delayed adds. Entries are never removed from the middle:
// a superseded entry is skipped when it surfaces (lazy deletion).

interface Entry {
  readyAt: number;
  key: string;
}

export class DelayHeap {
  private readonly heap: Entry[] = [];

  get size(): number {
    return this.heap.length;
  }

  push(entry: Entry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.readyAt <= heap[i]!.readyAt) break;
      [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
      i = parent;
    }
  }

  peek(): Entry | undefined {
    return this.heap[0];
  }

  pop(): Entry | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < heap.length && heap[left]!.readyAt < heap[smallest]!.readyAt) smallest = left;
        if (right < heap.length && heap[right]!.readyAt < heap[smallest]!.readyAt) smallest = right;
        if (smallest === i) break;
        [heap[smallest], heap[i]] = [heap[i]!, heap[smallest]!];
        i = smallest;
      }
    }
    return top;
  }

  clear(): void {
    this.heap.length = 0;
  }
}
