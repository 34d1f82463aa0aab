/**
 * A text export as a byte stream, one chunk per page of records, so memory stays flat however many
 * there are. The first page is read before this returns: a database that fails up front is an
 * ordinary error response instead of a 200 with a broken body. A failure later can only cut the
 * download short, which the client sees as an aborted transfer.
 */
export async function openTextPageStream<T>(
  pages: AsyncGenerator<T[]>,
  opts: { header: string; render: (records: T[]) => string; name: string },
): Promise<ReadableStream<Uint8Array>> {
  const encoder = new TextEncoder();
  const first = await pages.next();
  const head = opts.header + (first.done ? "" : opts.render(first.value));
  return new ReadableStream<Uint8Array>({
    start(controller) {
      if (head) controller.enqueue(encoder.encode(head));
      if (first.done) controller.close();
    },
    async pull(controller) {
      try {
        const next = await pages.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(opts.render(next.value)));
      } catch (err) {
        console.error(`[export] ${opts.name} export failed mid-stream`, err);
        controller.error(err);
      }
    },
    async cancel() {
      await pages.return(undefined);
    },
  });
}
