import { Egress } from "../../controlplane/egress/Egress.js";
import { DEFAULT_DENY, EgressPolicy } from "../../controlplane/egress/EgressPolicy.js";

/** The allow list every test controlplane runs with: its receivers listen on loopback. */
export const TEST_ALLOW = ["127.0.0.1/32", "::1/128"] as const;

/** The default deny list with the tests' loopback receivers allowed. */
export const testPolicy = new EgressPolicy(DEFAULT_DENY, TEST_ALLOW);

/**
 * The guard unit tests send through: the default deny list, with the loopback receivers of
 * tests allowed (as `--allow-destinations=127.0.0.1/32,::1/128`). One pool for the whole run.
 */
export const testEgress = new Egress(testPolicy);
