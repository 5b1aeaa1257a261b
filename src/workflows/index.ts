// The workflows the `slides` worker registers (the bundle's entry point).
export { processSlide } from './process-slide';
export { clusterBudget } from './cluster-budget';
