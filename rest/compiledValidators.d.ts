// The module `npm run build` writes beside validators.js (rest/writeValidators.ts): one compiled
// validator per name of VALIDATOR_SCHEMAS (a unit test holds the two lists together). Their data
// types are validators.ts's to say.
import type { ValidateFunction } from "ajv/dist/2020.js";

export declare const webhookCreate: ValidateFunction;
export declare const webhookRecover: ValidateFunction;
export declare const secretRotation: ValidateFunction;
export declare const watcherCreate: ValidateFunction;
export declare const watcherQuery: ValidateFunction;
export declare const deliveriesQuery: ValidateFunction;
export declare const webhookQuery: ValidateFunction;
export declare const sidecarWatcherCreate: ValidateFunction;
export declare const counterQuery: ValidateFunction;
export declare const podQuery: ValidateFunction;
export declare const renewQuery: ValidateFunction;
export declare const pathId: ValidateFunction;
export declare const noQuery: ValidateFunction;
