/** Explanations in words: one map's description and several methods' agreement. */
export { describeExplanation, topDecileShare, type MapText, type MapFacts, type DescribeOptions } from './map-text.js';
export { describeAgreement, type Agreement } from './agreement.js';
