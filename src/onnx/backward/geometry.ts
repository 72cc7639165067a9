/**
 * Sliding-window geometry shared by Conv and the pools: resolve auto_pad to explicit pads, and
 * find the ConvTranspose pads and output_padding that map a window op's output grid exactly back
 * onto its input grid (also under ceil_mode, where the last window may hang past the padding).
 */
import { attrInts, attrString, type NodeProto } from '../proto.js';

export interface WindowGeometry {
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** Begin pads, one per spatial axis. */
  begin: number[];
  /** End pads, one per spatial axis. */
  end: number[];
}

/** Reads a Conv/Pool node's window attributes; `inSpatial`/`outSpatial` are the grid sizes. */
export function windowGeometry(node: NodeProto, kernel: number[], inSpatial: number[], outSpatial: number[]): WindowGeometry {
  const r = kernel.length;
  const strides = attrInts(node, 'strides') ?? Array(r).fill(1);
  const dilations = attrInts(node, 'dilations') ?? Array(r).fill(1);
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  let begin: number[];
  let end: number[];
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    begin = [];
    end = [];
    for (let i = 0; i < r; i++) {
      const total = Math.max(0, (outSpatial[i] - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - inSpatial[i]);
      const small = Math.floor(total / 2);
      begin.push(autoPad === 'SAME_UPPER' ? small : total - small);
      end.push(autoPad === 'SAME_UPPER' ? total - small : small);
    }
  } else if (autoPad === 'VALID') {
    begin = Array(r).fill(0);
    end = Array(r).fill(0);
  } else {
    const pads = attrInts(node, 'pads') ?? Array(2 * r).fill(0);
    begin = pads.slice(0, r);
    end = pads.slice(r, 2 * r);
  }
  return { kernel, strides, dilations, begin, end };
}

/** ConvTranspose attributes that scatter an output-grid gradient back onto the input grid. */
export function transposeAttributes(geo: WindowGeometry, inSpatial: number[], outSpatial: number[]): { pads: number[]; output_padding: number[] } {
  const endPads: number[] = [];
  const outputPadding: number[] = [];
  for (let i = 0; i < geo.kernel.length; i++) {
    const reach = geo.strides[i] * (outSpatial[i] - 1) + (geo.kernel[i] - 1) * geo.dilations[i] + 1;
    const extra = reach - geo.begin[i] - inSpatial[i];
    endPads.push(Math.max(0, extra));
    outputPadding.push(Math.max(0, -extra));
  }
  return { pads: [...geo.begin, ...endPads], output_padding: outputPadding };
}
