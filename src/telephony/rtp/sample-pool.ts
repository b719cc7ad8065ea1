/**
 * Decoded frames are cut from shared slabs, as Node cuts small Buffers from its pool: V8 gives
 * a typed array above 64 bytes a backing store of its own (an allocation outside the heap and
 * an entry the collector sweeps), which cost more than decoding the frame itself (about 1 µs
 * of the 1.5 a received packet cost before). A view on a slab costs a small object. Every view
 * is fresh memory, never handed out twice, so a listener may keep its frames; a slab is freed
 * once no view of it is left.
 */

/** Samples per slab: 256 frames of 20 ms at 8 kHz (80 KiB). */
const SLAB_SAMPLES = 160 * 256;

let slab = new ArrayBuffer(0);
let used = 0;

/** A zeroed Int16Array of `length` samples that no other caller gets. */
export function pooledSamples(length: number): Int16Array<ArrayBuffer> {
  if (length > SLAB_SAMPLES / 4) return new Int16Array(length);
  if (used + length > slab.byteLength / 2) {
    slab = new ArrayBuffer(SLAB_SAMPLES * 2);
    used = 0;
  }
  const view = new Int16Array(slab, used * 2, length);
  used += length;
  return view;
}
