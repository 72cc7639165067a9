/** Registers every gradient rule. Adding an op: write its rule in a file here, import it below. */
import './activations.js';
import './elementwise.js';
import './conv.js';
import './pool.js';
import './batchnorm.js';
import './matmul.js';
import './shape.js';
import './concat.js';
import './slice-pad.js';
import './reduce.js';
import './softmax.js';
