/// The conformance suite, instantiated twice: against the simulated cluster (always) and against a real
/// kube-apiserver with kube-controller-manager (where the control-plane binaries are found).
module Ztwim.Specs.Conformance.ConformanceTests

open System
open Expecto
open k8s
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

let private realTests (connection: RealCluster.Connection) =
    let installed =
        lazy
            (task {
                let kubernetes = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile connection.Kubeconfig)
                let! c = RealCluster.create connection
                do! OurCrds.install kubernetes c.Client
                do! RealCluster.dispose c
             })

    [ for p in all ->
          testTask p.Name {
              do! installed.Force()
              let! c = RealCluster.create connection

              try
                  do! p.Run c
              finally
                  (RealCluster.dispose c).Wait()
          } ]

// Until the shared harness lands: a control plane started by hand, named by the environment.
[<Tests>]
let real =
    match Environment.GetEnvironmentVariable "ZTWIM_CONFORMANCE_KUBECONFIG", Environment.GetEnvironmentVariable "ZTWIM_CONFORMANCE_ETCD" with
    | null, _
    | _, null -> testList "conformance (kube-apiserver)" []
    | kubeconfig, etcd ->
        testSequencedGroup
            "real-api-server"
            (testList
                "conformance (kube-apiserver)"
                (realTests
                    { Kubeconfig = kubeconfig
                      EtcdUrl = etcd
                      HasControllerManager = true }))
