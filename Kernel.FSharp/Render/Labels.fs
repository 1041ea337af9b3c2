namespace Ztwim.Kernel.Render

/// The components that label operand objects (app.kubernetes.io/name, component, version).
type Component =
    { Name: string
      Role: string
      Version: string }

/// The label sets upstream puts on every operand object, so that `kubectl get -l` works the same.
[<RequireQualifiedAccess>]
module Labels =

    let managedByKey = "app.kubernetes.io/managed-by"
    let componentKey = "app.kubernetes.io/component"
    let operatorName = "zero-trust-workload-identity-manager"
    let instance = "cluster-zero-trust-workload-identity-manager"

    let spireServer =
        { Name = "spire-server"
          Role = "control-plane"
          Version = "1.13.3" }

    let controllerManager =
        { Name = "spire-controller-manager"
          Role = "control-plane"
          Version = "0.6.4" }

    let spireAgent =
        { Name = "spire-agent"
          Role = "node-agent"
          Version = "1.13.3" }

    let spiffeCsiDriver =
        { Name = "spiffe-csi-driver"
          Role = "csi"
          Version = "0.2.8" }

    let oidcDiscoveryProvider =
        { Name = "spiffe-oidc-discovery-provider"
          Role = "discovery"
          Version = "1.13.3" }

    /// The full set: the CR's custom labels, overridden by the six standard keys.
    let standard (custom: Map<string, string>) (c: Component) =
        [ "app.kubernetes.io/name", c.Name
          "app.kubernetes.io/instance", instance
          "app.kubernetes.io/part-of", operatorName
          componentKey, c.Role
          managedByKey, operatorName
          "app.kubernetes.io/version", c.Version ]
        |> List.fold (fun (acc: Map<string, string>) (k, v) -> Map.add k v acc) custom

    /// The selector of a workload: name, instance and component.
    let selector (c: Component) =
        Map.ofList
            [ "app.kubernetes.io/name", c.Name
              "app.kubernetes.io/instance", instance
              componentKey, c.Role ]
