// A scripted stand-in for EventSource (jsdom has none): tests see every stream the
// app opens and push events into it by hand.

type Listener = (event: MessageEvent) => void;

export class ScriptedEventSource {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  static instances: ScriptedEventSource[] = [];

  readonly url: string;
  readonly withCredentials = false;
  readyState = ScriptedEventSource.OPEN;
  onerror: ((event: Event) => void) | null = null;
  onmessage: Listener | null = null;
  onopen: ((event: Event) => void) | null = null;
  private listeners = new Map<string, Set<Listener>>();

  constructor(url: string | URL) {
    this.url = String(url);
    ScriptedEventSource.instances.push(this);
  }

  addEventListener(type: string, listener: Listener): void {
    const set = this.listeners.get(type) ?? new Set<Listener>();
    set.add(listener);
    this.listeners.set(type, set);
  }

  removeEventListener(type: string, listener: Listener): void {
    this.listeners.get(type)?.delete(listener);
  }

  close(): void {
    this.readyState = ScriptedEventSource.CLOSED;
  }

  get closed(): boolean {
    return this.readyState === ScriptedEventSource.CLOSED;
  }

  /** The `after` the stream was opened with. */
  get after(): string | null {
    return new URL(this.url, 'http://localhost').searchParams.get('after');
  }

  /** Deliver one event, as the server would send it. */
  emit(type: string, data: unknown, id?: number): void {
    if (this.closed) throw new Error(`event ${type} sent to a closed EventSource`);
    const event = new MessageEvent(type, { data: JSON.stringify(data), lastEventId: id === undefined ? '' : String(id) });
    for (const listener of this.listeners.get(type) ?? []) listener(event);
  }

  /** The server refused the stream (a 503, say): EventSource closes and reports an error. */
  refuse(): void {
    this.readyState = ScriptedEventSource.CLOSED;
    for (const listener of this.listeners.get('error') ?? []) listener(new MessageEvent('error'));
  }

  static latest(): ScriptedEventSource {
    const source = ScriptedEventSource.instances.at(-1);
    if (!source) throw new Error('no EventSource was opened');
    return source;
  }

  static reset(): void {
    ScriptedEventSource.instances = [];
  }
}

export function installEventSource(): void {
  Object.defineProperty(window, 'EventSource', { writable: true, configurable: true, value: ScriptedEventSource });
}
