/// The conformance suite, instantiated twice: against the simulated cluster (always) and against a real
/// kube-apiserver with kube-controller-manager (where the control-plane binaries are found).
module Ztwim.Specs.Conformance.ConformanceTests

open System
open Expecto

open Ztwim.Specs.Envtest
open Ztwim.Specs.Conformance.ClusterUnderTest

let private all =
    [ yield! VersionSpecs.properties
      yield! StatusSubresourceSpecs.properties
      yield! ApplySpecs.properties
      yield! SelectionSpecs.properties
      yield! LifecycleSpecs.properties
      yield! CrdAdmissionSpecs.properties ]

[<Tests>]
let simulated =
    testList
        "conformance (simulated)"
        [ for p in all ->
              testTask p.Name {
                  let c, _ = SimulatedCluster.create ()
                  do! p.Run c
              } ]

// One namespace per test on the control plane the real-server suites share; our CRDs installed once.
let private realTests (connect: Lazy<RealCluster.Connection * ControlPlane.ControlPlane>) =
    let installed =
        lazy
            (task {
                let clock = Diagnostics.Stopwatch.StartNew()
                let _, plane = connect.Value
                let started = clock.Elapsed.TotalSeconds
                OurCrds.install plane (TimeSpan.FromSeconds 60.0)

                printfn
                    "conformance (kube-apiserver): control plane ready after %.1f s, our CRDs served after %.1f s more"
                    started
                    (clock.Elapsed.TotalSeconds - started)
            })

    [ for p in all ->
          testTask p.Name {
              do! installed.Value
              let! c = RealCluster.create (fst connect.Value)

              try
                  do! p.Run c
              finally
                  (RealCluster.dispose c).Wait()
          } ]

[<Tests>]
let real =
    RealServer.tests "conformance (kube-apiserver)" (fun assets ->
        realTests (
            lazy
                (let plane =
                    ControlPlane.shared
                        assets
                        { Name = "plain"
                          ControllerManager = true }

                 { Kubeconfig = plane.AdminKubeconfig
                   EtcdUrl = plane.EtcdUrl
                   HasControllerManager = plane.HasControllerManager },
                 plane)
        ))
