import { LocalFabric } from './message-fabric.ts';
import { messageFabricContract } from './message-fabric.contract.ts';

// One replica: both ends are the same local fabric.
messageFabricContract('local', () => {
  const fabric = new LocalFabric();
  return Promise.resolve({
    a: fabric,
    b: fabric,
    interestKnown: () => Promise.resolve(),
    dispose: () => fabric.close(),
  });
});
