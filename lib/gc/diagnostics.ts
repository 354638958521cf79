/*
 * The Node-side view of collections: every collection publishes a 'start'
 * and a 'stop' message on the diagnostics channel 'pymem:gc', beside the
 * Python-level gc.callbacks. Subscribing costs the collector nothing until
 * someone listens (hasSubscribers is checked before a message is built).
 *
 *   import diagnostics_channel from 'node:diagnostics_channel';
 *   diagnostics_channel.subscribe('pymem:gc', (msg) => console.log(msg));
 */
import diagnosticsChannel from 'node:diagnostics_channel';

/** The channel's name. */
export const GC_CHANNEL_NAME = 'pymem:gc';

/** What is published for each phase of a collection. */
export interface GcChannelMessage {
  /** 'start' before gc_collect_main, 'stop' after it (the gc.callbacks phases). */
  readonly phase: 'start' | 'stop';
  /** The generation collected (with all younger ones). */
  readonly generation: number;
  /** Objects collected (0 at 'start'). */
  readonly collected: number;
  /** Objects found uncollectable (0 at 'start'). */
  readonly uncollectable: number;
  /** Whether the collection was triggered by an allocation (gc_collect_generations) rather than gc.collect(). */
  readonly automatic: boolean;
  /** Wall time of the collection in milliseconds (0 at 'start'). */
  readonly durationMs: number;
  /** get_count() after the phase: the generations' counters. */
  readonly counts: readonly [number, number, number];
  /** Identifies the interpreter (the gc module object that collected). */
  readonly source: object;
}

/** The 'pymem:gc' channel. */
export const gcChannel = diagnosticsChannel.channel(GC_CHANNEL_NAME);
