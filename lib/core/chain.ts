/**
 * A chain of steps with the row type threaded through it. Pipelines and branches are chains.
 * @module
 */
import type { Row } from './row.ts';
import type { AnyStep, Next, Step } from './step.ts';

/**
 * Lets `pipe` return the caller's own class (a chain stays a chain, a pipeline a pipeline).
 * `lib/pipeline/pipeline.ts` adds `pipeline` by declaration merging, so the core need not import it.
 */
export interface ChainKinds<R, In = unknown> {
  chain: Chain<R, 'chain', In>;
}
type Kind = keyof ChainKinds<unknown>;

/** A chain of steps: `R` is the row type after its last step, `In` the row type it starts from, when known. */
export class Chain<R = Row, K extends Kind = 'chain', In = unknown> {
  readonly steps: readonly AnyStep[];

  constructor(steps: readonly AnyStep[] = []) {
    this.steps = steps;
  }

  /** Returns a new chain with the steps appended; the row type follows each step (up to 20 in one call). */
  pipe(): ChainKinds<R, In>[K];
  pipe<A>(s1: Step<R, A>): ChainKinds<Next<R, A>, In>[K];
  pipe<A, B>(s1: Step<R, A>, s2: Step<Next<R, A>, B>): ChainKinds<Next<Next<R, A>, B>, In>[K];
  pipe<A, B, C>(s1: Step<R, A>, s2: Step<Next<R, A>, B>, s3: Step<Next<Next<R, A>, B>, C>): ChainKinds<Next<Next<Next<R, A>, B>, C>, In>[K];
  pipe<A, B, C, D>(
    s1: Step<R, A>,
    s2: Step<Next<R, A>, B>,
    s3: Step<Next<Next<R, A>, B>, C>,
    s4: Step<Next<Next<Next<R, A>, B>, C>, D>,
  ): ChainKinds<Next<Next<Next<Next<R, A>, B>, C>, D>, In>[K];
  pipe<A, B, C, D, E>(
    s1: Step<R, A>,
    s2: Step<Next<R, A>, B>,
    s3: Step<Next<Next<R, A>, B>, C>,
    s4: Step<Next<Next<Next<R, A>, B>, C>, D>,
    s5: Step<Next<Next<Next<Next<R, A>, B>, C>, D>, E>,
  ): ChainKinds<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, In>[K];
  pipe<A, B, C, D, E, F>(
    s1: Step<R, A>,
    s2: Step<Next<R, A>, B>,
    s3: Step<Next<Next<R, A>, B>, C>,
    s4: Step<Next<Next<Next<R, A>, B>, C>, D>,
    s5: Step<Next<Next<Next<Next<R, A>, B>, C>, D>, E>,
    s6: Step<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>,
  ): ChainKinds<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, In>[K];
  pipe<A, B, C, D, E, F, G>(
    s1: Step<R, A>,
    s2: Step<Next<R, A>, B>,
    s3: Step<Next<Next<R, A>, B>, C>,
    s4: Step<Next<Next<Next<R, A>, B>, C>, D>,
    s5: Step<Next<Next<Next<Next<R, A>, B>, C>, D>, E>,
    s6: Step<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>,
    s7: Step<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>,
  ): ChainKinds<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, In>[K];
  pipe<A, B, C, D, E, F, G, H>(
    s1: Step<R, A>,
    s2: Step<Next<R, A>, B>,
    s3: Step<Next<Next<R, A>, B>, C>,
    s4: Step<Next<Next<Next<R, A>, B>, C>, D>,
    s5: Step<Next<Next<Next<Next<R, A>, B>, C>, D>, E>,
    s6: Step<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>,
    s7: Step<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>,
    s8: Step<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>,
  ): ChainKinds<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, In>[K];
  pipe<A, B, C, D, E, F, G, H, I>(
    s1: Step<R, A>,
    s2: Step<Next<R, A>, B>,
    s3: Step<Next<Next<R, A>, B>, C>,
    s4: Step<Next<Next<Next<R, A>, B>, C>, D>,
    s5: Step<Next<Next<Next<Next<R, A>, B>, C>, D>, E>,
    s6: Step<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>,
    s7: Step<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>,
    s8: Step<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>,
    s9: Step<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>,
  ): ChainKinds<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, In>[K];
  pipe<A, B, C, D, E, F, G, H, I, J>(
    s1: Step<R, A>,
    s2: Step<Next<R, A>, B>,
    s3: Step<Next<Next<R, A>, B>, C>,
    s4: Step<Next<Next<Next<R, A>, B>, C>, D>,
    s5: Step<Next<Next<Next<Next<R, A>, B>, C>, D>, E>,
    s6: Step<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>,
    s7: Step<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>,
    s8: Step<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>,
    s9: Step<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>,
    s10: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>,
  ): ChainKinds<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, In>[K];
  pipe<A, B, C, D, E, F, G, H, I, J, K2>(
    s1: Step<R, A>,
    s2: Step<Next<R, A>, B>,
    s3: Step<Next<Next<R, A>, B>, C>,
    s4: Step<Next<Next<Next<R, A>, B>, C>, D>,
    s5: Step<Next<Next<Next<Next<R, A>, B>, C>, D>, E>,
    s6: Step<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>,
    s7: Step<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>,
    s8: Step<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>,
    s9: Step<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>,
    s10: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>,
    s11: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>,
  ): ChainKinds<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, In>[K];
  pipe<A, B, C, D, E, F, G, H, I, J, K2, L>(
    s1: Step<R, A>,
    s2: Step<Next<R, A>, B>,
    s3: Step<Next<Next<R, A>, B>, C>,
    s4: Step<Next<Next<Next<R, A>, B>, C>, D>,
    s5: Step<Next<Next<Next<Next<R, A>, B>, C>, D>, E>,
    s6: Step<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>,
    s7: Step<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>,
    s8: Step<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>,
    s9: Step<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>,
    s10: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>,
    s11: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>,
    s12: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>,
  ): ChainKinds<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>, In>[K];
  pipe<A, B, C, D, E, F, G, H, I, J, K2, L, M>(
    s1: Step<R, A>,
    s2: Step<Next<R, A>, B>,
    s3: Step<Next<Next<R, A>, B>, C>,
    s4: Step<Next<Next<Next<R, A>, B>, C>, D>,
    s5: Step<Next<Next<Next<Next<R, A>, B>, C>, D>, E>,
    s6: Step<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>,
    s7: Step<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>,
    s8: Step<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>,
    s9: Step<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>,
    s10: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>,
    s11: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>,
    s12: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>,
    s13: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>, M>,
  ): ChainKinds<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>, M>, In>[K];
  pipe<A, B, C, D, E, F, G, H, I, J, K2, L, M, N>(
    s1: Step<R, A>,
    s2: Step<Next<R, A>, B>,
    s3: Step<Next<Next<R, A>, B>, C>,
    s4: Step<Next<Next<Next<R, A>, B>, C>, D>,
    s5: Step<Next<Next<Next<Next<R, A>, B>, C>, D>, E>,
    s6: Step<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>,
    s7: Step<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>,
    s8: Step<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>,
    s9: Step<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>,
    s10: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>,
    s11: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>,
    s12: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>,
    s13: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>, M>,
    s14: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>, M>, N>,
  ): ChainKinds<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>, M>, N>, In>[K];
  pipe<A, B, C, D, E, F, G, H, I, J, K2, L, M, N, O>(
    s1: Step<R, A>,
    s2: Step<Next<R, A>, B>,
    s3: Step<Next<Next<R, A>, B>, C>,
    s4: Step<Next<Next<Next<R, A>, B>, C>, D>,
    s5: Step<Next<Next<Next<Next<R, A>, B>, C>, D>, E>,
    s6: Step<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>,
    s7: Step<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>,
    s8: Step<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>,
    s9: Step<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>,
    s10: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>,
    s11: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>,
    s12: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>,
    s13: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>, M>,
    s14: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>, M>, N>,
    s15: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>, M>, N>, O>,
  ): ChainKinds<
    Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>, M>, N>, O>,
    In
  >[K];
  pipe<A, B, C, D, E, F, G, H, I, J, K2, L, M, N, O, P>(
    s1: Step<R, A>,
    s2: Step<Next<R, A>, B>,
    s3: Step<Next<Next<R, A>, B>, C>,
    s4: Step<Next<Next<Next<R, A>, B>, C>, D>,
    s5: Step<Next<Next<Next<Next<R, A>, B>, C>, D>, E>,
    s6: Step<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>,
    s7: Step<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>,
    s8: Step<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>,
    s9: Step<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>,
    s10: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>,
    s11: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>,
    s12: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>,
    s13: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>, M>,
    s14: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>, M>, N>,
    s15: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>, M>, N>, O>,
    s16: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>, M>, N>, O>, P>,
  ): ChainKinds<
    Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>, M>, N>, O>, P>,
    In
  >[K];
  pipe<A, B, C, D, E, F, G, H, I, J, K2, L, M, N, O, P, Q>(
    s1: Step<R, A>,
    s2: Step<Next<R, A>, B>,
    s3: Step<Next<Next<R, A>, B>, C>,
    s4: Step<Next<Next<Next<R, A>, B>, C>, D>,
    s5: Step<Next<Next<Next<Next<R, A>, B>, C>, D>, E>,
    s6: Step<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>,
    s7: Step<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>,
    s8: Step<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>,
    s9: Step<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>,
    s10: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>,
    s11: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>,
    s12: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>,
    s13: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>, M>,
    s14: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>, M>, N>,
    s15: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>, M>, N>, O>,
    s16: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>, M>, N>, O>, P>,
    s17: Step<
      Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>, M>, N>, O>, P>,
      Q
    >,
  ): ChainKinds<
    Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>, M>, N>, O>, P>, Q>,
    In
  >[K];
  pipe<A, B, C, D, E, F, G, H, I, J, K2, L, M, N, O, P, Q, S>(
    s1: Step<R, A>,
    s2: Step<Next<R, A>, B>,
    s3: Step<Next<Next<R, A>, B>, C>,
    s4: Step<Next<Next<Next<R, A>, B>, C>, D>,
    s5: Step<Next<Next<Next<Next<R, A>, B>, C>, D>, E>,
    s6: Step<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>,
    s7: Step<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>,
    s8: Step<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>,
    s9: Step<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>,
    s10: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>,
    s11: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>,
    s12: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>,
    s13: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>, M>,
    s14: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>, M>, N>,
    s15: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>, M>, N>, O>,
    s16: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>, M>, N>, O>, P>,
    s17: Step<
      Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>, M>, N>, O>, P>,
      Q
    >,
    s18: Step<
      Next<
        Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>, M>, N>, O>, P>,
        Q
      >,
      S
    >,
  ): ChainKinds<
    Next<
      Next<
        Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>, M>, N>, O>, P>,
        Q
      >,
      S
    >,
    In
  >[K];
  pipe<A, B, C, D, E, F, G, H, I, J, K2, L, M, N, O, P, Q, S, T>(
    s1: Step<R, A>,
    s2: Step<Next<R, A>, B>,
    s3: Step<Next<Next<R, A>, B>, C>,
    s4: Step<Next<Next<Next<R, A>, B>, C>, D>,
    s5: Step<Next<Next<Next<Next<R, A>, B>, C>, D>, E>,
    s6: Step<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>,
    s7: Step<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>,
    s8: Step<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>,
    s9: Step<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>,
    s10: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>,
    s11: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>,
    s12: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>,
    s13: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>, M>,
    s14: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>, M>, N>,
    s15: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>, M>, N>, O>,
    s16: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>, M>, N>, O>, P>,
    s17: Step<
      Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>, M>, N>, O>, P>,
      Q
    >,
    s18: Step<
      Next<
        Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>, M>, N>, O>, P>,
        Q
      >,
      S
    >,
    s19: Step<
      Next<
        Next<
          Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>, M>, N>, O>, P>,
          Q
        >,
        S
      >,
      T
    >,
  ): ChainKinds<
    Next<
      Next<
        Next<
          Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>, M>, N>, O>, P>,
          Q
        >,
        S
      >,
      T
    >,
    In
  >[K];
  pipe<A, B, C, D, E, F, G, H, I, J, K2, L, M, N, O, P, Q, S, T, U>(
    s1: Step<R, A>,
    s2: Step<Next<R, A>, B>,
    s3: Step<Next<Next<R, A>, B>, C>,
    s4: Step<Next<Next<Next<R, A>, B>, C>, D>,
    s5: Step<Next<Next<Next<Next<R, A>, B>, C>, D>, E>,
    s6: Step<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>,
    s7: Step<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>,
    s8: Step<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>,
    s9: Step<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>,
    s10: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>,
    s11: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>,
    s12: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>,
    s13: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>, M>,
    s14: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>, M>, N>,
    s15: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>, M>, N>, O>,
    s16: Step<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>, M>, N>, O>, P>,
    s17: Step<
      Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>, M>, N>, O>, P>,
      Q
    >,
    s18: Step<
      Next<
        Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>, M>, N>, O>, P>,
        Q
      >,
      S
    >,
    s19: Step<
      Next<
        Next<
          Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>, M>, N>, O>, P>,
          Q
        >,
        S
      >,
      T
    >,
    s20: Step<
      Next<
        Next<
          Next<
            Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>, M>, N>, O>, P>,
            Q
          >,
          S
        >,
        T
      >,
      U
    >,
  ): ChainKinds<
    Next<
      Next<
        Next<
          Next<
            Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<Next<R, A>, B>, C>, D>, E>, F>, G>, H>, I>, J>, K2>, L>, M>, N>, O>, P>,
            Q
          >,
          S
        >,
        T
      >,
      U
    >,
    In
  >[K];
  /** More than twenty steps: chain further `pipe` calls, or accept untyped rows. */
  pipe(...steps: AnyStep[]): ChainKinds<any, In>[K];
  pipe(...steps: AnyStep[]): ChainKinds<any, In>[K] {
    return this.with(steps) as ChainKinds<any, In>[K];
  }

  /** Hook for subclasses: a copy of this chain with `steps` appended. */
  protected with(steps: readonly AnyStep[]): Chain<any, K, In> {
    return new Chain([...this.steps, ...steps]) as unknown as Chain<any, K, In>;
  }
}

/** Starts an empty chain of rows of type `R` (for branches and reusable step groups). */
export function chain<R = Row>(): Chain<R, 'chain', R> {
  return new Chain<R, 'chain', R>();
}
