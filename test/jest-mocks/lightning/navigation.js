// lightning/navigation mock that records what a component asked to navigate to, so tests can
// assert drill-downs (the sfdx-lwc-jest default stub discards the page reference).
import { createTestWireAdapter } from '@salesforce/wire-service-jest-util';

export const CurrentPageReference = createTestWireAdapter(jest.fn());

const Navigate = Symbol('Navigate');
const GenerateUrl = Symbol('GenerateUrl');
let lastNavigation = null;

export const NavigationMixin = (Base) =>
  class extends Base {
    [Navigate](pageReference, replace) {
      lastNavigation = { pageReference, replace };
    }

    [GenerateUrl](pageReference) {
      return Promise.resolve(`/lightning/r/${pageReference.attributes.recordId}/view`);
    }
  };
NavigationMixin.Navigate = Navigate;
NavigationMixin.GenerateUrl = GenerateUrl;

/** The page reference of the last Navigate call, or null. */
export const getLastNavigation = () => lastNavigation;
/** Forgets the last Navigate call (call it in afterEach). */
export const resetNavigation = () => {
  lastNavigation = null;
};
