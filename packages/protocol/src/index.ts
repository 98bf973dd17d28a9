export { formatEth, parseEth, type Wei, weiPerEth } from './wei.ts';
